"""Word lists of the demo city: departments with their sections, the laws they apply and the
subjects of their powers. Plain data; demo.powers turns it into catalog drafts."""

from sunlight.demo.vocab.culture import DEPARTMENTS as _CULTURE
from sunlight.demo.vocab.economy import DEPARTMENTS as _ECONOMY
from sunlight.demo.vocab.infrastructure import DEPARTMENTS as _INFRASTRUCTURE
from sunlight.demo.vocab.model import DeptSpec, Domain
from sunlight.demo.vocab.social import DEPARTMENTS as _SOCIAL
from sunlight.demo.vocab.state import DEPARTMENTS as _STATE
from sunlight.demo.vocab.urban import DEPARTMENTS as _URBAN

DEPARTMENTS: list[DeptSpec] = sorted(
    [*_ECONOMY, *_URBAN, *_INFRASTRUCTURE, *_SOCIAL, *_CULTURE, *_STATE], key=lambda dept: dept.code
)

__all__ = ["DEPARTMENTS", "DeptSpec", "Domain"]
