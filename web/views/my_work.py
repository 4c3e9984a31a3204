"""(to be written)"""

routes: list = []
