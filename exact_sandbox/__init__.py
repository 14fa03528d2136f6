"""A stand-in for Exact Online: OAuth 2, the REST API coachlink uses, Exact's rules and limits."""
