from mockguard.cli import main

main()
