from django.dispatch import Signal

# Sent inside the transaction that moves a petition, with `petition`, `action`
# ("publish", "reject", "send_back", ...) and `reason`: a receiver's writes
# commit with the move or not at all.
petition_moved = Signal()
