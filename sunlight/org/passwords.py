"""Password rules for staff accounts, with Chinese messages (Django's own validators speak
English here for the length rule, and accept a password of spaces)."""

import unicodedata
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

# Passwords Chinese users pick often that Django's (English-centred) list misses, in lower case.
COMMON_CHINESE_PASSWORDS = frozenset(
    {
        "woaini1314", "woaini520", "5201314520", "1314520520", "a123456789", "aa123456789",
        "qq123456789", "zhang123456", "wang123456", "li123456789", "1qaz2wsx3edc", "1qaz@wsx3edc",
        "qwe123456789", "abc123456789", "admin123456", "admin@12345", "administrator",
        "password123", "p@ssw0rd123", "sunlight123", "yangguang123", "zhengwu123456",
        "aini1314520", "iloveyou1314", "88888888888", "wodemima123", "mima123456",
    }
)  # fmt: skip


def _visible(password: str) -> str:
    return "".join(ch for ch in password if not ch.isspace() and unicodedata.category(ch)[0] != "C")


class NotBlankValidator:
    """Refuses a password made of spaces or invisible characters only."""

    def validate(self, password: str, user: Any = None) -> None:
        if not _visible(password):
            raise ValidationError("密码不能为空，也不能只由空格或不可见字符组成。", code="blank")

    def get_help_text(self) -> str:
        return "密码须包含可见字符。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Counts visible characters: ten spaces and one letter is not eleven characters."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(_visible(password)) < self.min_length:
            raise ValidationError(
                f"密码太短：至少需要 {self.min_length} 个字符（空格不计）。",
                code="password_too_short",
            )

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower().strip()
        if lowered in self.passwords or lowered in COMMON_CHINESE_PASSWORDS:
            raise ValidationError(
                "密码过于常见，容易被猜中，请换一个。", code="password_too_common"
            )

    def get_help_text(self) -> str:
        return "不能使用常见密码。"


class NumericPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if password.strip().isdigit():
            raise ValidationError("密码不能全是数字。", code="password_entirely_numeric")

    def get_help_text(self) -> str:
        return "密码不能全是数字。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError as exc:
            raise ValidationError(
                "密码与用户名、姓名等个人信息太相似，请换一个。", code="password_too_similar"
            ) from exc

    def get_help_text(self) -> str:
        return "密码不能与用户名、姓名等个人信息太相似。"
