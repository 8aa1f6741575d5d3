from charte_ia.cli import main

main()
