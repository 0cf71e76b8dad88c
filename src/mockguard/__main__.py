from mockguard.cli import run

run()
