"""Files other systems read and write: Snipe-IT's asset CSV, in and out."""
