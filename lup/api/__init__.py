"""lup's REST API (Django REST framework), read through the same scoping as the HTML views."""
