"""The two web sites: review (isolated network, issue 5) and progress (administrative network,
issue 6). One Django project, two settings modules, two databases; they share `accounts`."""
