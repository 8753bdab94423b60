"""People (nhân khẩu): identity, household membership, circumstances and merit records."""
