"""Use cases of the reception desk: the log book of visits, citizens, bookings, receipts."""
