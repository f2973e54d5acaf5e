-- A card's price and signal history: every landed day of every variant, with the model's fair price, band
-- and signal that day (null on days it was not scored). Runs as is in psql (42382 is Base Set Charizard):
-- put your card's TCGplayer product id in its place, or find it by name:
--   select product_id, card_name, set_name from pokewatch.find_cards('charizard 4/102');
-- In Metabase write {{product_id}} instead of the number and declare it as a number variable.

select * from pokewatch.card_history(42382);
