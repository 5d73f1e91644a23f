from leakstop.cli.main import main

main()
