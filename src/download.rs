//! Downloads of release tarballs into a local cache, with resume and progress (deploy issue).
