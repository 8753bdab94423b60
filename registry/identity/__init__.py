"""Identity numbers: validating, encrypting and indexing CCCD, CMND and bank accounts."""
