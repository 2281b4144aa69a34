"""The database model, one module per thing an HR admin talks about."""
from portal.models.integration import AvailabilityChange, Integration, IntegrationState, SyncMode
from portal.models.notification import Notification
from portal.models.tenant import Tenant
from portal.models.user import Role, User

__all__ = [
    "AvailabilityChange",
    "Integration",
    "IntegrationState",
    "Notification",
    "Role",
    "SyncMode",
    "Tenant",
    "User",
]
