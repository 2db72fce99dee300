"""The programme's settings in the product's own pages (not the admin): the target, deadline,
population and completion rule of a programme, with a preview of what a changed rule would
complete before it is saved (`selectors.preview_rule_change`, `services.change_programme_settings`);
the organisation's API tokens (created with their secret shown once, and revoked, through
`lup.api.tokens`); and the certificate templates LUP issues from, with a PDF preview
(`services.change_certificate_template`, `certificates.api`), and their signatories
(`signatory_services`).

Who may: `lup.permissions.can_change_programme`, `can_manage_api_tokens`,
`can_preview_certificate_templates` and `can_edit_certificate_templates`. The pages are in
`views`, their addresses in `urls.setup_urlpatterns` (included by lup/urls.py).

Layer: above the pages and the API (`pyproject.toml`), since it composes them: it calls the
API's token services and the certification feature's templates.
"""
