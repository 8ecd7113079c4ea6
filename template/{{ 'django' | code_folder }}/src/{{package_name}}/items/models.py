"""The items table; change it together with a migration (`manage makemigrations items`)."""

from django.db import models
from django.utils import timezone


class Item(models.Model):
    """The sample resource behind /api/items."""

    name = models.CharField(max_length=200)
    # The database knows the default too, for rows written by anything other than Django.
    processed = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "items"
        ordering = ("id",)

    def __str__(self) -> str:
        """Name the item in the admin."""
        return self.name
