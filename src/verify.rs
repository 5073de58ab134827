//! SHA-512 checksums: Apache `.sha512` files (gpg --print-md and sha512sum styles) and hashing (deploy issue).
