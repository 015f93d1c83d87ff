"""A tiny calculator: the Python example project for examples/demo.sh."""


def add(a, b):
    return a + b


def divide(a, b):
    if b == 0:
        raise ZeroDivisionError("cannot divide by zero")
    return a / b


def mean(values):
    if not values:
        raise ValueError("mean of an empty list")
    return sum(values) / len(values)
