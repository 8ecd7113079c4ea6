"""The sample resource: items stored in the database, served at /api/items and in the admin."""
