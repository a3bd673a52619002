from django.db import models


class Role(models.TextChoices):
    CLERK = "clerk", "窗口/经办人员"
    APPROVER = "approver", "科室/部门负责人"
    LEGAL = "legal", "法制机构"
    SUPERVISOR = "supervisor", "纪检监察"
    ADMIN = "admin", "平台管理员"
    HOTLINE = "hotline", "12345热线话务员"


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
