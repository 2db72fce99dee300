"""Generic certificates: templates, issued certificates, PDF rendering and verification.

Knows nothing of LUP: other apps ask it to issue certificates through its services.
"""
