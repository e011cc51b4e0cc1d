"""DNS codes and what they mean: the knowledge file (`knowledge`), the /rcode query language (`query`), and
side-by-side comparisons (`compare`). Everything /rcode answers comes from here."""
