# English for an international audience: "4 February 2021", which no reader
# takes for 2 April, rather than Django's American "Feb. 4, 2021".
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
