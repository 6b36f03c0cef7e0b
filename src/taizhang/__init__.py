"""Taizhang (台账): the system of record for an organisation's responsibility ledgers."""
