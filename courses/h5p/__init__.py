"""H5P packages: our own validation of uploaded `.h5p` files, their storage and installation.

- `validation` reads a package as a stream and applies the rules of H5P core (and a few of
  our own) without writing anything;
- `storage` is where packages, their content and the installed libraries are kept;
- `services` installs a validated package: files first, then the database rows, cleaning
  up after itself if anything fails.
"""
