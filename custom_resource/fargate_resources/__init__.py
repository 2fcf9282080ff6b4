"""Deploy-time lookups for ServerlessFargate: one Lambda, one custom resource type per job."""
