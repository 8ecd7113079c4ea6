"""The changes to the items table, in order; `manage makemigrations items` writes new ones."""
