def f(x):
    try:
        return 10 // x
    except ZeroDivisionError as e:
        if x == 0:
            raise ValueError("zero") from e
        raise

# call: 5
# call: 0
