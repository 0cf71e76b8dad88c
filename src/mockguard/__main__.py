from mockguard.launch import run

run()
