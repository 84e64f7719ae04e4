"""Campaigns for advocacy groups (issue 11): a campaign definition, its members (CSV
import or Telegram join link), authorized-agent letters in per-company sealed bundles,
and reports. No Telegram import here: the doors call in.

See docs/campaigns.md.
"""

from .definition import Campaign, Organisation, Targets, load_campaign
from .members import Member, Roster

__all__ = ["Campaign", "Member", "Organisation", "Roster", "Targets", "load_campaign"]
