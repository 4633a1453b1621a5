from .cli import main

if __name__ == "__main__":  # worker processes (forkserver) import this module without running it
    raise SystemExit(main())
