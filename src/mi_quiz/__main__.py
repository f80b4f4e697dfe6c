from mi_quiz.cli import main

main()
