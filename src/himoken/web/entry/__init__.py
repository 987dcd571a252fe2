"""Entry checks (issue 7): a business system or a clerk checks a number before it is saved
for a person; stops need a second person to override; every check is logged."""
