from standwith.cli import main

main()
