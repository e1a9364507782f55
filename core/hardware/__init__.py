"""Devices, memory and the installed llama.cpp build."""
