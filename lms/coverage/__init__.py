"""Coverage: trained ÷ filed, by town, industry and scale; exports for the registry."""
