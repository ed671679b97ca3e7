"""What people read: agenda, plan and table-sign data, their HTML and PDF renderings, calendars."""
