ACTIONS: dict[str, str] = {}
