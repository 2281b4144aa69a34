"""The database model, one module per thing an HR admin talks about."""
from portal.models.notification import Notification
from portal.models.tenant import Tenant
from portal.models.user import Role, User

__all__ = ["Notification", "Role", "Tenant", "User"]
