"""Credit: banks and their loan officers, loan products, lending and loan servicing."""
