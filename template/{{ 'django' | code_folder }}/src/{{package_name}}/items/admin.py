"""The items in Django's admin, at /admin/items/item/."""

from django.contrib import admin

from .models import Item


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """List, search and edit items."""

    list_display = ("id", "name", "processed", "created_at")
    list_filter = ("processed",)
    search_fields = ("name",)
