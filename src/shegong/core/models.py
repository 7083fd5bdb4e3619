import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in. What they may see comes from their memberships."""

    # Set when an admin resets the password: the next login goes to the change-password page
    # first (core/middleware.py PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    MANAGER = "manager", _("主管")
    CLERK = "clerk", _("专干")
    VIEWER = "viewer", _("查看")
    # A department of the district (职能部门): files its own applications to the admission list
    # (burden); it reaches no unit's records (core/access.py SCOPELESS_ROLES).
    DEPARTMENT = "department", _("职能部门")


class Membership(models.Model):
    """A user's role in one org unit; it reaches the unit and everything below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("所属单位"),
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("任职")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_one_role_per_unit"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit} ({self.get_role_display()})"


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    DISCLOSE = "disclose", _("查看个人信息")
    EXPORT = "export", _("导出")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("登录锁定")
    LOGOUT = "logout", _("退出登录")
    TOKEN_ISSUE = "token_issue", _("签发接口令牌")
    TOKEN_REVOKE = "token_revoke", _("撤销接口令牌")


class AuditEntry(models.Model):
    """One write (or one disclosure of personal data), recorded in the write's transaction."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    # A kind of event: AuditAction or an area's own kinds (core/audit.py audit_kinds); not
    # database choices, so a new kind needs no migration of this table.
    action = models.CharField(_("操作"), max_length=40)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # The unit the record belongs to, as its path, so the trail is scoped like everything else.
    unit_path = models.CharField(max_length=255, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            # Scope is a prefix search; pattern operators serve it on PostgreSQL under any
            # collation, in one index instead of db_index's plain and _like pair.
            models.Index(
                fields=["unit_path"],
                name="audit_unit_path_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    @property
    def action_label(self) -> str:
        from shegong.core.audit import audit_kind_label

        return audit_kind_label(self.action)


class ApiToken(models.Model):
    """A key for the API. Only its SHA-256 is kept; its first characters are shown so that the
    owner can tell keys apart. It works until it expires or is revoked (core/tokens.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("用户"),
    )
    prefix = models.CharField(_("前缀"), max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销人"),
    )

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @staticmethod
    def digest_of(key: str) -> str:
        """What is stored of a key. Keys are 256 random bits, so a fast hash is enough."""
        return hashlib.sha256(key.encode()).hexdigest()


class CodeFailure(models.Model):
    """A refused one-time code (a household's vote code, a worker's questionnaire code, a
    volunteer's personal link key), kept in the database so the throttle of core/codes.py holds
    across server processes.

    The throttle counts the distinct codes an address had refused (`code_key`, a keyed hash
    unlike any code's own, so it cannot be joined to a household or a volunteer): guessing
    means many codes, a resident retyping one wrong code is one."""

    address = models.GenericIPAddressField()
    code_key = models.CharField(max_length=64, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["address", "at"], name="code_failure_address_at")]

    def __str__(self) -> str:
        return f"{self.address} {self.at:%Y-%m-%d %H:%M}"
