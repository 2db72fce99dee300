"""Signals that `certificates` sends upward; apps above it connect in their AppConfig.ready().

Both are sent inside the transaction that made the change, so a receiver's writes (an
audit entry, say) commit or roll back with it.
"""

from django.dispatch import Signal

# Sent once when a certificate is first issued: kwargs `certificate`.
certificate_issued = Signal()

# Sent when a certificate is revoked: kwargs `certificate`, `revoked_by`, `reason`.
certificate_revoked = Signal()
