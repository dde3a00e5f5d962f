from .cli import main

main(prog_name="w2vfast")
