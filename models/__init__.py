"""Small typed records passed between the command line, the workflows, the activities
and the record store. Plain dataclasses, so they stay cheap inside the workflow sandbox
and can gain fields later without breaking running complaints."""
