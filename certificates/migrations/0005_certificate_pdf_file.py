# The PDF moves out of the database row into a file in certificates.storage: first a
# field for the file's name beside the old column (0006 moves the bytes, 0007 drops it).
from django.db import migrations, models

import certificates.storage


class Migration(migrations.Migration):
    dependencies = [("certificates", "0004_open_badges_credentials")]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="pdf_file",
            field=models.FileField(
                blank=True,
                editable=False,
                max_length=200,
                storage=certificates.storage.pdf_storage,
                upload_to=certificates.storage.pdf_name,
                verbose_name="PDF",
            ),
        ),
    ]
