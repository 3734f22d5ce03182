"""What chats see, as plain data: texts, menus, command lists, pictures, translations.

Nothing here talks to Telegram; handlers and the sender turn these into messages.
"""
