# The PDFs are files now (0006): the column that held them goes, and the file takes its name.
# The column gets a default first, so that reversing can add it back to existing rows (and
# 0006's reverse then fills it from the files).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("certificates", "0006_move_pdfs_to_storage")]

    operations = [
        migrations.AlterField(
            model_name="certificate",
            name="pdf",
            field=models.BinaryField(default=b"", editable=False, verbose_name="PDF"),
        ),
        migrations.RemoveField(model_name="certificate", name="pdf"),
        migrations.RenameField(model_name="certificate", old_name="pdf_file", new_name="pdf"),
    ]
