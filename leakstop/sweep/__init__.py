"""`leakstop sweep`: many repositories, mirrored and scanned incrementally, one report.

targets   what to sweep: paths, git URLs, list files; identities and shards
cache     bare mirrors of remotes and the per-repository state files
state     what was scanned already (ref tips) and the keyless findings so far
run       the parallel sweep over repositories
report    the combined JSON report model, its ordering, and `merge` of shard reports
triage    --verify / --rotate across the sweep, paced per provider
forge     commit links for GitHub, GitLab and Bitbucket remotes
"""
