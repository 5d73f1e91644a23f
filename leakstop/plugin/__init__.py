"""The detect-secrets plugin: one detector class per provider rule, a thin adapter over
leakstop's engine, plus context-aware replacements for detect-secrets filters that would
otherwise drop leakstop's findings.

Nothing here is imported by `leakstop scan`: only detect-secrets (through the plugin file that
`leakstop init` writes) and `leakstop init` load these modules.
"""
