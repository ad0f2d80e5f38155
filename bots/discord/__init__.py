"""Discord adapter: the gateway bot (discord.py) and the serverless HTTP interactions endpoint."""
